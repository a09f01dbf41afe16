// memlens for VS Code: starts `memlens lsp` over stdio and shows its hovers,
// inlay hints, diagnostics and code actions on Rust files.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';
import { lookupSection, SECTION, serverCommand, serverConfig } from './config';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let status: vscode.StatusBarItem;
let lastError: string | undefined;
// restarts and stops run one after the other, never interleaved
let queue: Promise<void> = Promise.resolve();

function serialize(task: () => Promise<void>): Promise<void> {
  queue = queue.then(task, task);
  return queue;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('memlens');
  status = vscode.window.createStatusBarItem('memlens.status', vscode.StatusBarAlignment.Right, 100);
  status.name = 'memlens';
  status.command = 'memlens.showOutput';
  context.subscriptions.push(output, status);

  context.subscriptions.push(
    vscode.commands.registerCommand('memlens.restartServer', () =>
      serialize(async () => {
        output.appendLine('[client] restarting the server');
        await stopClient();
        await startClient();
      }),
    ),
    vscode.commands.registerCommand('memlens.showOutput', () => output.show(true)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.server.path`)) {
        void vscode.commands.executeCommand('memlens.restartServer');
      } else if (e.affectsConfiguration(SECTION)) {
        updateStatus();
      }
    }),
  );

  await serialize(startClient);
}

export function deactivate(): Promise<void> {
  return serialize(stopClient);
}

function createClient(): LanguageClient {
  const { command, args, fromSetting } = serverCommand();
  // no `transport`: with TransportKind.stdio the client would append `--stdio` to the arguments,
  // which `memlens lsp` rejects; an Executable without it talks over stdio all the same
  const executable = { command, args, options: { env: { ...process.env } } };
  const serverOptions: ServerOptions = { run: executable, debug: executable };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'rust' },
      { scheme: 'untitled', language: 'rust' },
    ],
    // the server's stderr (its log) and, with memlens.trace.server, the LSP trace
    outputChannel: output,
    initializationOptions: () => serverConfig(),
    // didChangeConfiguration is sent whenever a memlens.* setting changes
    synchronize: { configurationSection: SECTION },
    middleware: {
      workspace: {
        // answer `workspace/configuration` for "memlens" (and "memlens.x.y") with the
        // same object as initializationOptions; other sections get VS Code's answer
        configuration: async (params, token, next) => {
          const fallback = await next(params, token);
          if (!Array.isArray(fallback)) {
            return fallback;
          }
          return params.items.map((item, i) => {
            const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
            const hit = item.section ? lookupSection(serverConfig(scope), item.section) : { found: false };
            return hit.found ? hit.value : fallback[i];
          });
        },
        // send { settings: { memlens: <same object> } } instead of the raw settings tree
        didChangeConfiguration: async () => {
          if (client && client.isRunning()) {
            await client.sendNotification(DidChangeConfigurationNotification.type, {
              settings: { [SECTION]: serverConfig() },
            });
          }
        },
      },
    },
  };
  output.appendLine(`[client] starting ${command} ${args.join(' ')}${fromSetting ? '' : ' (from PATH)'}`);
  if (fromSetting && path.isAbsolute(command) && !fs.existsSync(command)) {
    output.appendLine(`[client] warning: ${command} does not exist`);
  }
  const c = new LanguageClient('memlens', 'memlens', serverOptions, clientOptions);
  c.onDidChangeState(() => updateStatus());
  return c;
}

async function startClient(): Promise<void> {
  lastError = undefined;
  client = createClient();
  updateStatus();
  try {
    await client.start();
  } catch (err) {
    lastError = err instanceof Error ? err.message : String(err);
    output.appendLine(`[client] the server did not start: ${lastError}`);
    updateStatus();
    const { command, fromSetting } = serverCommand();
    const hint = fromSetting
      ? `Check "memlens.server.path" (${command}).`
      : 'Install memlens on PATH (cargo install --path .) or set "memlens.server.path".';
    void vscode.window
      .showErrorMessage(`memlens: the server could not be started. ${hint}`, 'Open Settings', 'Show Log')
      .then((choice) => {
        if (choice === 'Open Settings') {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'memlens.server.path');
        } else if (choice === 'Show Log') {
          output.show(true);
        }
      });
  }
  updateStatus();
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (!c) {
    return;
  }
  try {
    if (c.isRunning()) {
      await c.stop(5000);
    }
  } catch (err) {
    output.appendLine(`[client] stopping the server: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    await c.dispose(2000);
  } catch {
    // already stopped
  }
  updateStatus();
}

function updateStatus(): void {
  const cfg = serverConfig();
  const { command } = serverCommand();
  let state: string;
  if (client?.state === State.Running) {
    state = 'running';
    status.text = '$(layers) memlens';
    status.backgroundColor = undefined;
  } else if (client?.state === State.Starting) {
    state = 'starting';
    status.text = '$(sync~spin) memlens';
    status.backgroundColor = undefined;
  } else {
    state = lastError ? 'failed to start' : 'stopped';
    status.text = '$(error) memlens';
    status.backgroundColor = lastError ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }
  const info = client?.initializeResult?.serverInfo;
  const tip = new vscode.MarkdownString(undefined, true);
  tip.isTrusted = { enabledCommands: ['memlens.restartServer', 'memlens.showOutput'] };
  tip.appendMarkdown(`**memlens**: ${state}\n\n`);
  tip.appendMarkdown(`Target: \`${cfg.target}\`\n\n`);
  tip.appendMarkdown(`Server: \`${command}\`${info ? ` (${info.name} ${info.version ?? ''})` : ''}\n\n`);
  if (lastError) {
    tip.appendText(`Error: ${lastError}\n\n`);
  }
  tip.appendMarkdown('[Restart server](command:memlens.restartServer) · [Show log](command:memlens.showOutput)');
  status.tooltip = tip;
  status.accessibilityInformation = { label: `memlens ${state}, target ${cfg.target}` };
  status.show();
}
