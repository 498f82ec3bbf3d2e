// Drives Baton with the official OpenAI Node client, unmodified: the base URL and key come from
// OPENAI_BASE_URL and OPENAI_API_KEY, as for any OpenAI-compatible server. Run by
// OpenAiClientIT with three JSON arguments (a chat request, a completions request and
// an array of chat request bodies for a batch), any of them null to skip that part; prints one JSON
// object with what the client saw.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';

const [chatRequest = null, completionRequest = null, batchBodies = null] =
  process.argv.slice(2).map((arg) => JSON.parse(arg));
const BATCH_TIMEOUT_MS = 60_000;
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

// The batch flow: upload a JSONL file, create the batch, poll it to completion, download the output.
async function batch() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-batch-'));
  const file = path.join(dir, 'requests.jsonl');
  const lines = batchBodies.map((body, i) =>
    JSON.stringify({ custom_id: `sdk-${i}`, method: 'POST', url: '/v1/chat/completions', body }));
  fs.writeFileSync(file, lines.join('\n') + '\n');
  try {
    const uploaded = await client.files.create({ file: fs.createReadStream(file), purpose: 'batch' });
    const created = await client.batches.create({
      input_file_id: uploaded.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    const deadline = Date.now() + BATCH_TIMEOUT_MS;
    let current = created;
    while (current.status !== 'completed') {
      if (['failed', 'expired', 'cancelled', 'cancelling'].includes(current.status) || Date.now() > deadline) {
        throw new Error(`batch ${current.id} is ${current.status} after polling: ${JSON.stringify(current)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      current = await client.batches.retrieve(created.id);
    }
    const content = await client.files.content(current.output_file_id);
    return {
      fileId: uploaded.id,
      filePurpose: uploaded.purpose,
      id: created.id,
      object: created.object,
      createdStatus: created.status,
      status: current.status,
      requestCounts: current.request_counts,
      outputFileId: current.output_file_id,
      output: await content.text(),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

try {
  const result = {
    chat: chatRequest === null ? null : await streamingChat(),
    completion: completionRequest === null ? null : await completion(),
    batch: batchBodies === null ? null : await batch(),
  };
  process.stdout.write(JSON.stringify(result) + '\n');
} catch (error) {
  process.stderr.write(`openai client failed: ${error.status ?? ''} ${error.message}\n${error.stack}\n`);
  process.exit(1);
}
