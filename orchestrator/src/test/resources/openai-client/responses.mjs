// Drives Baton's Responses API with the official OpenAI Node client, unmodified: the base URL and
// key come from OPENAI_BASE_URL and OPENAI_API_KEY, as for any OpenAI-compatible server. Run by
// ResponsesClientIT with five JSON arguments, any of them null to skip that part:
//   1. a request created plainly (not streamed);
//   2. a request created streamed, then streamed again through the client's stream helper;
//   3. { request, breakAfter }: a background request created streamed, dropped after breakAfter
//      events and resumed with retrieve(id, { stream: true, starting_after }); then the same
//      request streamed again uninterrupted, and the first one's events replayed from the start;
//   4. a background request, cancelled at once, then retrieved;
//   5. { first, second }: a conversation, the second turn continuing the first by previous_response_id.
// Prints one JSON object with what the client saw.
import OpenAI from 'openai';

const [plainRequest = null, streamedRequest = null, resumed = null, cancelRequest = null, conversation = null] =
  process.argv.slice(2).map((arg) => JSON.parse(arg));
const client = new OpenAI({ maxRetries: 0 });

// What the test compares of an event: its type and number, the text it carries, the response's status.
function seen(event) {
  const e = { type: event.type, sequence_number: event.sequence_number };
  if (event.type === 'response.output_text.delta') {
    e.delta = event.delta;
  }
  if (event.type === 'response.output_text.done') {
    e.text = event.text;
  }
  if (event.response) {
    e.id = event.response.id;
    e.status = event.response.status;
  }
  if (event.item_id !== undefined) {
    e.item_id = event.item_id;
  }
  return e;
}

function summary(response) {
  return {
    id: response.id,
    object: response.object,
    status: response.status,
    background: response.background,
    output_text: response.output_text,
    usage: response.usage,
  };
}

// Every event of a stream to its end, and the final response (its usage and status) from the last event.
async function collect(stream) {
  const events = [];
  let final = null;
  for await (const event of stream) {
    events.push(seen(event));
    if (['response.completed', 'response.incomplete', 'response.failed'].includes(event.type)) {
      final = event.response;
    }
  }
  return { events, final };
}

function text(events) {
  return events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
}

async function plain() {
  return summary(await client.responses.create(plainRequest));
}

async function streamed() {
  const { events, final } = await collect(await client.responses.create({ ...streamedRequest, stream: true }));
  return {
    events,
    text: text(events),
    status: final?.status ?? null,
    usage: final?.usage ?? null,
    helper: await helperStream(),
  };
}

// The same request through the client's stream helper, which builds the response from the events
// (item by output_index, part by content_index) and fails on one that does not fit what came before.
async function helperStream() {
  const stream = client.responses.stream(streamedRequest);
  let snapshot = null;
  stream.on('response.output_text.delta', (event) => {
    snapshot = event.snapshot;
  });
  const final = await stream.finalResponse();
  return { snapshot, status: final.status, output_text: final.output_text };
}

// Read breakAfter events, drop the connection (the response runs on in the background), resume after
// the last sequence number read and read the rest.
async function resumedStream() {
  const request = { ...resumed.request, background: true, stream: true };
  const first = await client.responses.create(request);
  const part1 = [];
  let id = null;
  for await (const event of first) {
    part1.push(seen(event));
    id ??= event.response?.id ?? null;
    if (part1.length >= resumed.breakAfter) {
      break; // the client aborts the request
    }
  }
  first.controller.abort();
  const atDrop = await client.responses.retrieve(id);
  const lastSeq = part1[part1.length - 1].sequence_number;
  const part2 = await collect(await client.responses.retrieve(id, { stream: true, starting_after: lastSeq }));
  const after = await client.responses.retrieve(id);
  const reference = await collect(await client.responses.create(request));
  const replay = await collect(await client.responses.retrieve(id, { stream: true }));
  return {
    id,
    lastSeq,
    statusAtDrop: atDrop.status,
    part1,
    part2: part2.events,
    final: part2.final === null ? null : summary(part2.final),
    retrieved: summary(after),
    reference: reference.events,
    referenceFinal: reference.final === null ? null : summary(reference.final),
    replay: replay.events,
  };
}

async function cancel() {
  const created = await client.responses.create({ ...cancelRequest, background: true });
  const cancelled = await client.responses.cancel(created.id);
  const retrieved = await client.responses.retrieve(created.id);
  return {
    id: created.id,
    createdStatus: created.status,
    cancelledStatus: cancelled.status,
    cancelledId: cancelled.id,
    retrieved: summary(retrieved),
  };
}

async function twoTurns() {
  const first = await client.responses.create(conversation.first);
  const second = await client.responses.create({ ...conversation.second, previous_response_id: first.id });
  const items = await client.responses.inputItems.list(second.id);
  return {
    first: summary(first),
    second: { ...summary(second), previous_response_id: second.previous_response_id },
    secondInputItems: items.data.map((item) => ({ role: item.role, content: item.content })),
  };
}

try {
  const result = {
    plain: plainRequest === null ? null : await plain(),
    streamed: streamedRequest === null ? null : await streamed(),
    resumed: resumed === null ? null : await resumedStream(),
    cancel: cancelRequest === null ? null : await cancel(),
    conversation: conversation === null ? null : await twoTurns(),
  };
  process.stdout.write(JSON.stringify(result) + '\n');
} catch (error) {
  process.stderr.write(`openai client failed: ${error.status ?? ''} ${error.message}\n${error.stack}\n`);
  process.exit(1);
}
