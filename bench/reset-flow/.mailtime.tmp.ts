import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import nodemailer from "nodemailer";
const child = spawn(process.execPath, ["--import", "tsx", "/work/main/bench/reset-flow/smtp-sink.ts"], { stdio: ["ignore", "pipe", "inherit"] });
const rl = createInterface({ input: child.stdout! });
const port = await new Promise<number>((r) => rl.on("line", (l) => { if (l.startsWith("READY ")) r(Number(l.slice(6))); }));
const t = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, pool: true });
for (let i = 0; i < 5; i++) {
  const s = performance.now();
  await t.sendMail({ from: "a@b.test", to: "x@bench.test", subject: "s", text: "code\n12345678\n" });
  console.log("mail ms", (performance.now() - s).toFixed(1));
}
child.kill();
