import { buildTestApp } from "./support/app.ts";
import { BRANDING_SETTINGS_KEY } from "../src/http/views/branding.ts";
const t = await buildTestApp();
await t.registry.stores.settings.set(BRANDING_SETTINGS_KEY, { organisationName: "Contoso", primaryColor: "#0f6cbd", supportContact: "helpdesk@contoso.example", landingMarkdown: "### About\n\nThis is the **Contoso** password portal. Questions? See [the IT wiki](https://wiki.contoso.example)." }, t.clock.now());
const { client } = await t.signInAdmin();
const cookie = client.cookie("opensspr-admin");
await t.app.listen({ port: 38123, host: "127.0.0.1" });
console.log("COOKIE", cookie);
setTimeout(async () => { await t.close(); process.exit(0); }, 60000);
