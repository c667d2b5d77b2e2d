import { buildTestApp } from "./support/app.ts";
const t = await buildTestApp();
for (const url of ["/", "/nope", "/readyz", "/metrics", "/assets/portal.css", "/assets/brand.css", "/healthz"]) {
  const r = await t.app.inject({ method: "GET", url });
  console.log(url, r.statusCode, JSON.stringify(r.headers).slice(0, 1500));
  if (url === "/" || url === "/readyz") console.log(r.body.slice(0, 4000));
}
await t.close();
