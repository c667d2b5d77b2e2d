/**
 * Reading a password for `users add` / `users set-password`: from a terminal prompt without echo, or from
 * standard input with `--password-stdin`. Never from argv: arguments are visible to every user in `ps` and
 * end up in shell history.
 */
import { fail } from "./context.ts";

const MAX_PASSWORD_BYTES = 4096;

/** Reads all of stdin; one trailing newline (as `echo` adds) is removed. */
export async function readPasswordFromStdin(stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_PASSWORD_BYTES) fail(`the password on standard input is longer than ${MAX_PASSWORD_BYTES} bytes`);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
  if (text === "") fail("no password on standard input");
  return text;
}

/** Prompts on the terminal without echoing what is typed. */
export async function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) fail("no terminal to prompt for the password: pipe it in with --password-stdin");
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding("utf8");
  return new Promise<string>((resolve, reject) => {
    let value = "";
    const finish = (error: Error | null): void => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      if (error === null) resolve(value);
      else reject(error);
    };
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n" || char === "\u0004") {
          finish(null);
          return;
        }
        if (char === "\u0003") {
          finish(Object.assign(new Error("cancelled"), { exitCode: 130, details: [] }));
          return;
        }
        if (char === "\u007f" || char === "\b") value = value.slice(0, -1);
        else value += char;
      }
    };
    stdin.on("data", onData);
  });
}

/** `--password-stdin`, or a hidden prompt asked twice. */
export async function readNewPassword(options: { passwordStdin: boolean; userName: string }): Promise<string> {
  if (options.passwordStdin) return readPasswordFromStdin();
  const first = await promptHidden(`New password for ${options.userName}: `);
  const second = await promptHidden("Repeat it: ");
  if (first !== second) fail("the two passwords differ; nothing was changed");
  if (first === "") fail("empty password; nothing was changed");
  return first;
}
