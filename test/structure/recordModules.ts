/**
 * Preloaded (`node --require`) into a process under test: when it exits, writes every module it
 * loaded to the file named by ASP_SESSION_MODULES_FILE, as a JSON array of paths.
 */
import * as fs from "fs";

const file = process.env.ASP_SESSION_MODULES_FILE;
if (file !== undefined) process.on("exit", () => fs.writeFileSync(file, JSON.stringify(Object.keys(require.cache))));
