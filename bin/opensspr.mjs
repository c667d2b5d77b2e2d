#!/usr/bin/env node
// Entry point for `opensspr` / `npx opensspr`: runs the TypeScript sources through tsx (no build step).
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
