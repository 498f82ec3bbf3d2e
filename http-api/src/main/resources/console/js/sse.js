// Server-sent events, parsed by hand: the feed needs an Authorization header, which EventSource
// cannot send, so the console reads the stream with fetch() and turns its text into frames here.

export class SseParser {
  /** onFrame({id, event, data}) for each complete frame; onComment() for each ':' line (heartbeats). */
  constructor(onFrame, onComment = () => {}) {
    this.onFrame = onFrame;
    this.onComment = onComment;
    this.buffer = '';
    this.reset();
  }

  reset() {
    this.id = null;
    this.event = null;
    this.data = [];
  }

  /** Feeds decoded text; a line may be split across chunks, so the tail waits for the next one. */
  push(chunk) {
    this.buffer += chunk;
    let nl;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      let line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      this.line(line);
    }
  }

  line(line) {
    if (line === '') {
      // A blank line ends the frame; one without data (an id alone) dispatches nothing.
      if (this.data.length) {
        this.onFrame({id: this.id, event: this.event, data: this.data.join('\n')});
      }
      this.reset();
      return;
    }
    if (line.startsWith(':')) {
      this.onComment(line.slice(1));
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'id') this.id = value;
    else if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    // 'retry' is ignored: the console reconnects after 1 s whatever the server suggests.
  }
}
