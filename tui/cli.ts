// The tcplab command line: one subcommand per file under tui/commands.
import { commands } from './commands/index.ts';

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  // `tcplab help CMD` is `tcplab CMD --help`.
  const topic = name === 'help' && rest.length === 1 ? commands.find((c) => c.name === rest[0]) : undefined;
  if (topic !== undefined) return topic.run(['--help']);
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`tcplab: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    process.stderr.write(`tcplab ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `usage: tcplab <command> [args]\n\ncommands:\n${lines.join('\n')}\n`;
}
