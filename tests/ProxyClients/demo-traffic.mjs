// The demo's traffic in proxy mode (./demo.sh --proxy): many users calling one model through the sidecar's proxy with
// the official openai client, as an application would (only the base URL points at the proxy). Streams every chat
// completion with stream_options.include_usage. Prints one JSON line of running totals every half second:
// {started, completed, stable, canary, failures, inFlight}; "stable"/"canary" come from the response header the proxy
// names the serving subset in (Canary:Routing:ServedSubsetHeader).
// Usage: node demo-traffic.mjs <proxy base URL> <model> <requests per second> <users> <seed> <served-subset header>
import OpenAI from "openai";

const [base, model, rateText, usersText, seedText, servedHeader] = process.argv.slice(2);
const rate = Number(rateText);
const users = Number(usersText);
const maxInFlight = 400;
const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: "demo-key", maxRetries: 0, timeout: 30_000 });

// Seeded, so a run's users and their order repeat (mulberry32).
let seed = Number(seedText) >>> 0;
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const totals = { started: 0, completed: 0, stable: 0, canary: 0, failures: 0, inFlight: 0 };

async function one(user) {
  totals.started++;
  totals.inFlight++;
  try {
    const { data: stream, response } = await client.chat.completions
      .create({
        model, stream: true, stream_options: { include_usage: true }, user,
        messages: [{ role: "user", content: "Hello" }],
      })
      .withResponse();
    const served = response.headers.get(servedHeader);
    if (served === "canary") totals.canary++; else totals.stable++;
    for await (const _ of stream) { /* read to the end, as an application does */ }
    totals.completed++;
  } catch (error) {
    // A model's own error (status >= 400) is an answer; only a missing answer is the proxy's failure.
    if (error instanceof OpenAI.APIError && error.status) totals.completed++; else totals.failures++;
  } finally {
    totals.inFlight--;
  }
}

let stopping = false;
process.on("SIGTERM", () => { stopping = true; });
process.on("SIGINT", () => { stopping = true; });
const report = setInterval(() => console.log(JSON.stringify(totals)), 500);
const start = Date.now();
let issued = 0;
while (!stopping) {
  const due = Math.floor(((Date.now() - start) / 1000) * rate);
  for (; issued < due; issued++) {
    if (totals.inFlight >= maxInFlight) continue;
    const user = `user-${String(Math.floor(random() * users)).padStart(5, "0")}`;
    one(user);
  }
  await new Promise((resolve) => setTimeout(resolve, 10));
}
const drainStart = Date.now();
while (totals.inFlight > 0 && Date.now() - drainStart < 5000) {
  await new Promise((resolve) => setTimeout(resolve, 20));
}
clearInterval(report);
console.log(JSON.stringify(totals));
