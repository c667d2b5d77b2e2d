#!/usr/bin/env node
// Entry point for `opensspr` / `npx opensspr`: runs the TypeScript sources through tsx (no build step).
// The project's tsconfig is named explicitly: from another working directory tsx would not find it and
// would compile the TSX views for React instead of preact.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
await import("../src/cli/main.ts");
