// Calls the sidecar's proxy mode with the vendors' official SDKs, as an application does: only the base URL points at
// the proxy. Usage: node sdk-calls.mjs <proxy base URL> <OpenAI model> <Anthropic model> <user>...
// For every user: chat completions (whole, and streamed with stream_options.include_usage), responses (whole and
// streamed), Anthropic messages (whole and streamed). Prints one JSON line per call: {user, call, text, input, output}
// (the answer's text and the usage the SDK parsed), and exits non-zero on the first SDK error.
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";

const [base, openaiModel, anthropicModel, ...users] = process.argv.slice(2);
const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: "client-openai-key", maxRetries: 0 });
const anthropic = new Anthropic({ baseURL: base, apiKey: "client-anthropic-key", maxRetries: 0 });
const print = (user, call, text, input, output) => console.log(JSON.stringify({ user, call, text, input, output }));

for (const user of users) {
  const messages = [{ role: "user", content: "Say hello." }];

  const chat = await openai.chat.completions.create({ model: openaiModel, messages, user });
  print(user, "chat", chat.choices[0].message.content, chat.usage.prompt_tokens, chat.usage.completion_tokens);

  const chatStream = await openai.chat.completions.create({
    model: openaiModel, messages, user, stream: true, stream_options: { include_usage: true },
  });
  let chatText = "";
  let chatUsage = null;
  for await (const chunk of chatStream) {
    chatText += chunk.choices[0]?.delta?.content ?? "";
    chatUsage = chunk.usage ?? chatUsage;
  }
  print(user, "chat-stream", chatText, chatUsage?.prompt_tokens, chatUsage?.completion_tokens);

  const response = await openai.responses.create({ model: openaiModel, input: "Say hello.", user });
  print(user, "responses", response.output_text, response.usage.input_tokens, response.usage.output_tokens);

  const responseStream = await openai.responses.create({ model: openaiModel, input: "Say hello.", user, stream: true });
  let responseText = "";
  let responseUsage = null;
  for await (const event of responseStream) {
    if (event.type === "response.output_text.delta") responseText += event.delta;
    if (event.type === "response.completed") responseUsage = event.response.usage;
  }
  print(user, "responses-stream", responseText, responseUsage?.input_tokens, responseUsage?.output_tokens);

  const message = await anthropic.messages.create({
    model: anthropicModel, max_tokens: 64, messages, metadata: { user_id: user },
  });
  print(user, "messages", message.content[0].text, message.usage.input_tokens, message.usage.output_tokens);

  const messageStream = anthropic.messages.stream({
    model: anthropicModel, max_tokens: 64, messages, metadata: { user_id: user },
  });
  let streamedText = "";
  messageStream.on("text", (delta) => { streamedText += delta; });
  const final = await messageStream.finalMessage();
  print(user, "messages-stream", streamedText, final.usage.input_tokens, final.usage.output_tokens);
}
