/**
 * SMTP sink for the reset-flow benchmark, in its own process on loopback: accepts every message and prints
 * one line per message to stdout — `MAIL <recipient> <code|->` — so the driver can hand each flow its code
 * without parsing files. Prints `READY <port>` once listening.
 */
import { SMTPServer } from "smtp-server";

/**
 * smtp-server waits a fixed 100 ms before its 220 greeting on every connection (early-talker detection, as
 * real MTAs do: Postfix postscreen, Exim). The default keeps that delay — it is what the product meets in
 * production. `BENCH_SINK_NO_GREET_DELAY=1` (diagnostic only) greets at once, to measure what a flow costs
 * once mail delivery is no longer connection-bound.
 */
if (process.env.BENCH_SINK_NO_GREET_DELAY === "1") {
  const { SMTPConnection } = (await import("smtp-server/lib/smtp-connection.js")) as unknown as {
    SMTPConnection: { prototype: { init(): void } };
  };
  SMTPConnection.prototype.init = function (this: {
    _setListeners(done: () => void): void;
    connectionReady(): void;
  }) {
    this._setListeners(() => this.connectionReady());
  };
}

/** The first 8-digit number in the message body (headers skipped; base64 parts decoded). */
function codeIn(raw: string): string | null {
  const split = raw.indexOf("\r\n\r\n");
  const body = split >= 0 ? raw.slice(split + 4) : raw;
  // The code stands on its own line in the text part.
  const direct = /^\s*(\d{8})\s*$/m.exec(body.replace(/=\r\n/g, ""));
  if (direct?.[1] !== undefined) return direct[1];
  for (const line of body.split(/\r?\n/)) {
    if (!/^[A-Za-z0-9+/=]{16,}$/.test(line)) continue;
    const decoded = Buffer.from(line, "base64").toString("utf8");
    const match = /^\s*(\d{8})\s*$/m.exec(decoded);
    if (match?.[1] !== undefined) return match[1];
  }
  return null;
}

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  // No reverse DNS of the client (127.0.0.1): with no resolver answering it costs ~100 ms per connection.
  disableReverseLookup: true,
  logger: false,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const subject = /^Subject: (.*)$/im.exec(raw)?.[1] ?? "";
      const code = /verification code/i.test(subject) ? codeIn(raw) : null;
      for (const rcpt of session.envelope.rcptTo) process.stdout.write(`MAIL ${rcpt.address} ${code ?? "-"}\n`);
      callback();
    });
  },
});
server.listen(0, "127.0.0.1", () => {
  const address = server.server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  process.stdout.write(`READY ${port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
