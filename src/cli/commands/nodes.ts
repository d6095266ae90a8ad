/** `jobgate nodes`: the nodes, their cores and GPUs, and how many jobs run on each. */
import type { Command } from 'commander';
import { stringifyJson } from '../../lib/json.js';
import { renderTable } from '../format/table.js';
import { addConnectionOptions, EXIT, type CliIo, type ConnectionOptions } from './context.js';
import { clientAction, type Finish } from './run.js';

export function addNodesCommand(program: Command, io: CliIo, finish: Finish): void {
  const command = program.command('nodes').description('nodes, with free cores and GPUs and running jobs').option('--json', 'JSON, as the API answers');
  addConnectionOptions(command).action(clientAction<ConnectionOptions & { json?: boolean }>(io, finish, async (context, options) => {
    const answer = await context.client.nodes();
    if (options.json === true) {
      io.stdout.write(`${stringifyJson(answer, 2)}\n`);
      return EXIT.ok;
    }
    const details = answer.details ?? answer.nodes.map((name) => ({ name, state: 'up', cores: 0, cores_busy: 0, gpus: 0, gpus_busy: 0, jobs: [] }));
    const rows = details.map((node) => [
      node.name,
      node.state,
      `${node.cores - node.cores_busy}/${node.cores}`,
      `${node.gpus - node.gpus_busy}/${node.gpus}`,
      String(node.jobs.length),
    ]);
    io.stdout.write(renderTable(['NODE', 'STATE', 'FREE CORES', 'FREE GPUS', 'JOBS'], rows));
    return EXIT.ok;
  }));
}
