import type { CatalogModule } from "./index.ts";

const messages: CatalogModule = { en: {}, fr: {}, de: {} };
export default messages;
