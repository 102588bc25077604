// An independent re-implementation (Node.js) of docs/trail.md sections 2 and 4: the document must be enough.
const fs = require("fs"), crypto = require("crypto");
function canon(v) {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") { if (!Number.isSafeInteger(v)) throw new Error("not an integer: " + v); return String(v); }
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(canon).join(",") + "]";
  const keys = Object.keys(v).sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
  return "{" + keys.map(k => JSON.stringify(k) + ":" + canon(v[k])).join(",") + "}";
}
const sha = b => crypto.createHash("sha256").update(b).digest();
const lines = fs.readFileSync(process.argv[2], "utf8").split("\n").filter(Boolean).map(l => JSON.parse(l));
const anchors = lines.filter(l => l.type === "anchor"), events = lines.filter(l => l.type === "event");
const hashAt = new Map(); let cur = null, expSeq = 1, expPrev = "", bad = 0;
for (const e of events) {
  if (e.subject !== cur) { cur = e.subject; expSeq = 1; expPrev = ""; }
  const m = {subject: e.subject, seq: e.seq, at: e.at, actor: e.actor, actor_label: e.actor_label, kind: e.kind,
             public: e.public, data: e.data, prev: e.prev};
  const h = sha(Buffer.from(canon(m), "utf8")).toString("hex");
  if (e.seq !== expSeq || e.prev !== expPrev || h !== e.hash) { bad++; console.log("bad event", e.id, e.subject, e.seq); }
  hashAt.set(e.subject + "\u0000" + e.seq, e.hash); expSeq = e.seq + 1; expPrev = e.hash;
}
for (const a of anchors) {
  const subjects = Object.keys(a.heads).sort((x, y) => Buffer.compare(Buffer.from(x, "utf8"), Buffer.from(y, "utf8")));
  let level = subjects.map(s => sha(Buffer.from(canon([s, a.heads[s], hashAt.get(s + "\u0000" + a.heads[s])]), "utf8")));
  if (!level.length) level = [sha(Buffer.alloc(0))];
  while (level.length > 1) {
    if (level.length % 2) level.push(level[level.length - 1]);
    const next = []; for (let i = 0; i < level.length; i += 2) next.push(sha(Buffer.concat([level[i], level[i + 1]])));
    level = next;
  }
  const root = level[0].toString("hex");
  console.log("anchor", a.day, root === a.root ? "ok" : "MISMATCH", root);
  if (root !== a.root) bad++;
}
console.log(events.length, "events", bad ? bad + " problems" : "all hold"); process.exit(bad ? 1 : 0);
