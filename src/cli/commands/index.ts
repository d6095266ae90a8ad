/** The client commands: everything `jobgate` does against a running jobgate, near or remote. */
import type { Command } from 'commander';
import { processIo, type CliIo } from './context.js';
import { addCancelCommand } from './cancel.js';
import { addControlCommands } from './control.js';
import { addEventsCommand } from './events.js';
import { addExportCommand } from './export.js';
import { addLabelCommands } from './labels.js';
import { addTemplatesCommand } from './templates.js';
import { addJobsCommands } from './jobs.js';
import { addLoginCommands } from './login.js';
import { addNodesCommand } from './nodes.js';
import { addOutputCommand } from './output.js';
import { addStopCommand } from './stop.js';
import { addPurgeCommand } from './purge.js';
import { addSubmitCommand } from './submit.js';
import type { Finish } from './run.js';

export function addClientCommands(program: Command, finish: Finish, io: CliIo = processIo()): void {
  addSubmitCommand(program, io, finish);
  addJobsCommands(program, io, finish);
  addOutputCommand(program, io, finish);
  addCancelCommand(program, io, finish);
  addControlCommands(program, io, finish);
  addLabelCommands(program, io, finish);
  addTemplatesCommand(program, io, finish);
  addExportCommand(program, io, finish);
  addEventsCommand(program, io, finish);
  addNodesCommand(program, io, finish);
  addStopCommand(program, io, finish);
  addPurgeCommand(program, io, finish);
  addLoginCommands(program, io, finish);
}
