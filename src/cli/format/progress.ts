/**
 * A one-line status on stderr while nothing else is shown (a job waiting to start, a lost
 * connection): redrawn in place on a terminal, never written to pipes or files (where a
 * line per change is enough and easier to read back).
 */
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export class Progress {
  private render: () => string = () => '';
  private frame = 0;
  private timer: NodeJS.Timeout | null = null;
  private shown = false;

  constructor(private readonly stream: NodeJS.WriteStream | { isTTY?: boolean; write(text: string): boolean }) {}

  get live(): boolean {
    return this.stream.isTTY === true;
  }

  /** Shows (or updates) the status; a function is asked again at every redraw (a ticking clock). */
  update(text: string | (() => string)): void {
    if (!this.live) {
      return;
    }
    this.render = typeof text === 'string' ? () => text : text;
    this.draw();
    if (this.timer === null) {
      this.timer = setInterval(() => this.draw(), 100);
      this.timer.unref();
    }
  }

  private draw(): void {
    this.frame = (this.frame + 1) % FRAMES.length;
    this.stream.write(`\r\u001b[2K${FRAMES[this.frame]} ${this.render()}`);
    this.shown = true;
  }

  /** Removes the status line (before other output is written). */
  clear(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
    if (this.shown) {
      this.stream.write('\r\u001b[2K');
      this.shown = false;
    }
  }
}
