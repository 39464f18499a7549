// Copies the provider's PowerShell scripts beside the compiled module that reads them
// (provider/powershell/scripts.ts): tsc emits only what it compiles.
// Usage: node tools/copyPowerShellScripts.js [outDir, default dist]
"use strict";
const fs = require("fs");
const path = require("path");

const relative = path.join("provider", "powershell", "scripts");
const from = path.join(__dirname, "..", relative);
const to = path.join(process.argv[2] || "dist", relative);
fs.mkdirSync(to, { recursive: true });
for (const name of fs.readdirSync(from)) {
    if (name.endsWith(".ps1")) fs.copyFileSync(path.join(from, name), path.join(to, name));
}
