// Reading the `memlens.*` settings and turning them into what the server is sent.
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';

export const SECTION = 'memlens';

export const TARGETS = [
  'x86_64-unknown-linux-gnu',
  'i686-unknown-linux-gnu',
  'aarch64-unknown-linux-gnu',
  'wasm32-unknown-unknown',
  'armv7-unknown-linux-gnueabihf',
] as const;

/**
 * What the server receives, as `initializationOptions`, as the answer to
 * `workspace/configuration` (section "memlens") and inside
 * `workspace/didChangeConfiguration` ({ settings: { memlens: ... } }).
 * Client-only settings (server.path, trace.server) are not part of it.
 */
export interface ServerConfig {
  target: string;
  inlayHints: { enable: boolean; minBytes: number; heap: string };
  diagnostics: { enable: boolean };
  thresholds: { stackArrayBytes: number; stackFrameBytes: number };
}

export function serverConfig(scope?: vscode.ConfigurationScope): ServerConfig {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  return {
    target: c.get<string>('target', 'x86_64-unknown-linux-gnu'),
    inlayHints: {
      enable: c.get<boolean>('inlayHints.enable', true),
      minBytes: c.get<number>('inlayHints.minBytes', 0),
      heap: c.get<string>('inlayHints.heap', 'both'),
    },
    diagnostics: {
      enable: c.get<boolean>('diagnostics.enable', true),
    },
    thresholds: {
      stackArrayBytes: c.get<number>('thresholds.stackArrayBytes', 16384),
      stackFrameBytes: c.get<number>('thresholds.stackFrameBytes', 512000),
    },
  };
}

/** `section` is "memlens" or a dotted path below it ("memlens.inlayHints"); undefined otherwise. */
export function lookupSection(config: ServerConfig, section: string): { found: boolean; value?: unknown } {
  if (section === SECTION) {
    return { found: true, value: config };
  }
  if (!section.startsWith(SECTION + '.')) {
    return { found: false };
  }
  let value: unknown = config;
  for (const key of section.slice(SECTION.length + 1).split('.')) {
    if (value === null || typeof value !== 'object' || !(key in value)) {
      return { found: true, value: null };
    }
    value = (value as Record<string, unknown>)[key];
  }
  return { found: true, value };
}

export interface ServerCommand {
  command: string;
  args: string[];
  /** true when the path came from `memlens.server.path` */
  fromSetting: boolean;
}

/** `memlens.server.path` with `~` and `${workspaceFolder}` expanded, else `memlens` from PATH. */
export function serverCommand(): ServerCommand {
  const raw = vscode.workspace.getConfiguration(SECTION).get<string>('server.path', '').trim();
  if (!raw) {
    return { command: 'memlens', args: ['lsp'], fromSetting: false };
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  let p = raw.replace(/\$\{workspaceFolder\}/g, folder ?? '');
  if (p === '~' || p.startsWith('~/')) {
    p = path.join(os.homedir(), p.slice(1));
  }
  if (!path.isAbsolute(p) && p.includes(path.sep) && folder) {
    p = path.resolve(folder, p);
  }
  return { command: p, args: ['lsp'], fromSetting: true };
}
