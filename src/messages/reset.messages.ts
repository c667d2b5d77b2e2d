/**
 * Messages of the reset module (owner fills this catalog; see messages/index.ts).
 * Missing fr/de entries fall back to English.
 */
import type { CatalogModule } from "./index.ts";

const messages: CatalogModule = { en: {}, fr: {}, de: {} };
export default messages;
