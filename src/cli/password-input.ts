/**
 * Reading a password for `jobgate users`: from the terminal without echo, or the first line of
 * stdin (`--password-stdin`), so it never has to appear in the command line (which every user
 * of the machine can read in `ps`).
 */
export interface PasswordSource {
  /** Asks on the terminal, without echo. */
  prompt(question: string): Promise<string>;
  /** The first line of stdin. */
  firstLineOfStdin(): Promise<string>;
  isTerminal: boolean;
}

export function readFirstLine(input: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (): void => {
      input.off('data', onData);
      input.off('end', done);
      input.off('error', reject);
      input.pause();
      resolve(text.split(/\r?\n/)[0] ?? '');
    };
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      if (text.includes('\n') || text.length > 4096) {
        done();
      }
    };
    input.on('data', onData);
    input.once('end', done);
    input.once('error', reject);
    input.resume();
  });
}

/** Reads one line in raw mode, echoing nothing; Ctrl-C or Ctrl-D abandons. */
export function promptHidden(question: string, input: NodeJS.ReadStream, output: NodeJS.WritableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(question);
    let text = '';
    const finish = (error?: Error): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (error === undefined) {
        resolve(text);
      } else {
        reject(error);
      }
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          finish();
          return;
        }
        if (ch === '\u0003' || ch === '\u0004') {
          finish(new Error('cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') {
          text = [...text].slice(0, -1).join('');
        } else {
          text += ch;
        }
      }
    };
    input.setRawMode(true);
    input.on('data', onData);
    input.resume();
  });
}

export function processPasswordSource(): PasswordSource {
  return {
    isTerminal: process.stdin.isTTY === true,
    prompt: (question) => promptHidden(question, process.stdin, process.stderr),
    firstLineOfStdin: () => readFirstLine(process.stdin),
  };
}
