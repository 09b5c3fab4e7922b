import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../contract/errors.js';
import { writeFileAtomic } from './atomic-write.js';

/** The marker that tells an airdesk data folder from any other folder. */
export const homeMarkerFile = 'airdesk-home.json';
const homeFormatVersion = 1;

interface HomeMarker {
  kind: 'airdesk-data-folder';
  formatVersion: number;
  createdAt: string;
}

/** The OS per-user app-data folder SPEC.md names as the default data folder. */
export function defaultHome(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32')
    return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'airdesk');
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'airdesk');
  return path.join(env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'airdesk');
}

/** `--home` wins over `AIRDESK_HOME`, which wins over the OS default. */
export function resolveHome(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag ?? env.AIRDESK_HOME ?? defaultHome(env);
  return path.resolve(chosen);
}

/**
 * Makes sure `home` is an airdesk data folder: creates it when missing or empty, accepts it when it carries
 * our marker, and refuses anything else so we never write into a folder that holds someone else's files.
 */
export function ensureHome(home: string): void {
  const markerPath = path.join(home, homeMarkerFile);
  if (fs.existsSync(markerPath)) {
    readMarker(markerPath);
    return;
  }
  if (fs.existsSync(home)) {
    if (!fs.statSync(home).isDirectory()) {
      throw new AppError(
        'foreign_data_folder',
        `${home} is a file, not a data folder; pass a folder with --home`,
      );
    }
    const entries = fs.readdirSync(home);
    if (entries.length > 0) {
      throw new AppError(
        'foreign_data_folder',
        `${home} is not an airdesk data folder (no ${homeMarkerFile}) and is not empty; ` +
          'pass a new or empty folder with --home or AIRDESK_HOME',
      );
    }
  }
  fs.mkdirSync(home, { recursive: true });
  const marker: HomeMarker = {
    kind: 'airdesk-data-folder',
    formatVersion: homeFormatVersion,
    createdAt: new Date().toISOString(),
  };
  writeFileAtomic(markerPath, JSON.stringify(marker, null, 2) + '\n');
}

function readMarker(markerPath: string): HomeMarker {
  let marker: unknown;
  try {
    marker = JSON.parse(fs.readFileSync(markerPath, 'utf8'));
  } catch (cause) {
    throw new AppError(
      'foreign_data_folder',
      `${markerPath} is not valid JSON; restore it from a backup or point --home at another folder`,
      { cause },
    );
  }
  const m = marker as Partial<HomeMarker> | null;
  if (m?.kind !== 'airdesk-data-folder' || typeof m.formatVersion !== 'number') {
    throw new AppError('foreign_data_folder', `${markerPath} does not describe an airdesk data folder`);
  }
  if (m.formatVersion > homeFormatVersion) {
    throw new AppError(
      'newer_database',
      `${markerPath} was written by a newer airdesk (folder format ${m.formatVersion}); upgrade airdesk to open it`,
    );
  }
  return m as HomeMarker;
}

/** Fixed places inside the data folder. */
export const homeLayout = {
  globalDb: (home: string) => path.join(home, 'airdesk.db'),
  tenantsDir: (home: string) => path.join(home, 'tenants'),
  logsDir: (home: string) => path.join(home, 'logs'),
  modelsDir: (home: string) => path.join(home, 'models'),
};
