const pulumi = require("@pulumi/pulumi");
(async () => {
await pulumi.runtime.setMocks({ newResource(a){ return {id: a.name+"-id", state: a.inputs}; }, call(a){return a.inputs;} }, "p","s",false);
const { AspSessionFleet } = require("/work/wt-9/dist/sdk");
const t0 = Date.now();
const servers = Array.from({length: Number(process.argv[2])}, (_, i) => ({name: "w"+i, target: {kind:"file", path:"/b"+i}}));
const f = new AspSessionFleet("f", {servers, settings:{max:1}});
console.log("constructed", Date.now()-t0);
f.report.apply(v => console.log("report", v.length, Date.now()-t0, process.memoryUsage().rss/1e6));
})();
