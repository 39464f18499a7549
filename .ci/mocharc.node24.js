// The Node 24 run: .mocharc.json's settings over the test files .ci/node24-tests lists (not those marked "-").
const fs = require("fs");
const path = require("path");

const spec = fs.readFileSync(path.join(__dirname, "node24-tests"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#") && !line.startsWith("-"));

module.exports = { ...require("../.mocharc.json"), spec };
