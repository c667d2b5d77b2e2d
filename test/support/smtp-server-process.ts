/**
 * A real SMTP server in its own process (run with `node --import tsx`), for end-to-end tests that read
 * codes from mail. Listens on 127.0.0.1 (argv[3] = port, 0 = any free port), accepts every message
 * (authOptional), parses it with mailparser and appends it as one JSON line to the file argv[2].
 * Prints `READY <port>` on stdout once listening.
 */
import { appendFileSync } from "node:fs";
import { SMTPServer } from "smtp-server";

// mailparser takes seconds to load: start listening first and parse once it is there.
const parser = import("mailparser");
const outputFile = process.argv[2];
const requestedPort = Number(process.argv[3] ?? "0");
if (outputFile === undefined) {
  console.error("usage: smtp-server-process.ts <output.jsonl> [port]");
  process.exit(2);
}

function addressesOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.flatMap((item: { value?: { address?: string }[] }) =>
    (item.value ?? []).map((entry) => entry.address ?? "").filter((address) => address !== ""),
  );
}

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  logger: false,
  onAuth(_auth, _session, callback) {
    callback(null, { user: "test" });
  },
  onData(stream, session, callback) {
    parser
      .then(({ simpleParser }) => simpleParser(stream))
      .then((mail) => {
        const record = {
          from: mail.from?.value[0]?.address ?? "",
          to: addressesOf(mail.to),
          envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          subject: mail.subject ?? "",
          text: mail.text ?? "",
          html: typeof mail.html === "string" ? mail.html : null,
          messageId: mail.messageId ?? null,
          receivedAt: new Date().toISOString(),
        };
        appendFileSync(outputFile, `${JSON.stringify(record)}\n`);
        callback();
      })
      .catch((error: Error) => callback(error));
  },
});

server.listen(requestedPort, "127.0.0.1", () => {
  const address = server.server.address();
  const port = typeof address === "object" && address !== null ? address.port : requestedPort;
  process.stdout.write(`READY ${port}\n`);
});
server.on("error", (error) => {
  console.error(`smtp-server-process: ${error.message}`);
  process.exit(1);
});
process.on("SIGTERM", () => {
  // Messages are written synchronously as they arrive, so a quick exit loses nothing already accepted;
  // smtp-server would otherwise wait for idle client connections to time out.
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 200).unref();
});
