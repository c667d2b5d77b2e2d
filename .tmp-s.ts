import { createSqlStores } from "/work/main/src/store/sql/stores.ts";
const s = await createSqlStores({ url: "sqlite::memory:", dataDir: "/tmp/x" });
await s.ping(); console.log("ok", Object.keys(s));
await s.close();
