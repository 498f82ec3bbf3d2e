// Drives Baton with the official OpenAI Node client, unmodified: the base URL and key come from
// OPENAI_BASE_URL and OPENAI_API_KEY, as for any OpenAI-compatible server. Run by
// OpenAiClientIntegrationTest with two request bodies as arguments (a chat request and a
// completions request); prints one JSON object with what the client saw.
import OpenAI from 'openai';

const [chatRequest, completionRequest] = process.argv.slice(2).map((arg) => JSON.parse(arg));
const client = new OpenAI({ maxRetries: 0 });

async function streamingChat() {
  const stream = await client.chat.completions.create({
    ...chatRequest,
    stream: true,
    stream_options: { include_usage: true },
  });
  const ids = new Set();
  let text = '';
  let chunks = 0;
  let contentChunks = 0;
  let role = null;
  let finishReason = null;
  let usage = null;
  for await (const chunk of stream) {
    chunks++;
    ids.add(chunk.id);
    if (chunk.usage) {
      usage = chunk.usage;
    }
    const choice = chunk.choices[0];
    if (!choice) {
      continue;
    }
    if (choice.delta?.role) {
      role = choice.delta.role;
    } else if (choice.delta?.content !== undefined && choice.finish_reason === null) {
      contentChunks++;
    }
    text += choice.delta?.content ?? '';
    if (choice.finish_reason) {
      finishReason = choice.finish_reason;
    }
  }
  return { ids: [...ids], text, chunks, contentChunks, role, finishReason, usage };
}

async function completion() {
  const response = await client.completions.create(completionRequest);
  return {
    id: response.id,
    object: response.object,
    text: response.choices[0].text,
    finishReason: response.choices[0].finish_reason,
    usage: response.usage,
  };
}

try {
  const result = { chat: await streamingChat(), completion: await completion() };
  process.stdout.write(JSON.stringify(result) + '\n');
} catch (error) {
  process.stderr.write(`openai client failed: ${error.status ?? ''} ${error.message}\n${error.stack}\n`);
  process.exit(1);
}
