/** `berth completion bash|zsh|fish`: prints the shell completion script. */
import { Argument, Command } from 'commander';
import type { CommandContext } from '../context.js';
import { describe } from './options.js';
import { completionScript, SHELLS, type Shell } from '../core/docs/completions.js';

export function makeCompletionCommand(ctx: CommandContext, root: () => Command): Command {
  const cmd = new Command('completion')
    .description(
      'Print a shell completion script. bash: source <(berth completion bash); zsh: berth completion zsh > "${fpath[1]}/_berth"; fish: berth completion fish > ~/.config/fish/completions/berth.fish',
    )
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .action((shell: Shell) => {
      ctx.io.stdout.write(completionScript(root(), shell));
    });
  return describe(cmd, 'Print a shell completion script (bash, zsh, fish)', [
    ['source <(berth completion bash)', 'bash, for this shell (add it to ~/.bashrc)'],
    ['berth completion zsh > "${fpath[1]}/_berth"', 'zsh'],
    ['berth completion fish > ~/.config/fish/completions/berth.fish', 'fish'],
  ]);
}
