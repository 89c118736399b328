/** `berth completion bash|zsh|fish`: prints the shell completion script. */
import { Argument, Command } from 'commander';
import type { CommandContext } from '../context.js';
import { completionScript, SHELLS, type Shell } from '../core/docs/completions.js';

export function makeCompletionCommand(ctx: CommandContext, root: () => Command): Command {
  return new Command('completion')
    .description('Print a shell completion script. bash: source <(berth completion bash); zsh: berth completion zsh > "${fpath[1]}/_berth"; fish: berth completion fish > ~/.config/fish/completions/berth.fish')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .action((shell: Shell) => {
      ctx.io.stdout.write(completionScript(root(), shell));
    });
}
