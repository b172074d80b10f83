/**
 * What every container test needs: a reachable Docker engine (or a clear failure, never a skip),
 * images that exist locally (nothing is pulled), and testcontainers without its reaper (its image
 * cannot be pulled here; each test removes what it started).
 */
import { join } from 'node:path';
import { repoRoot } from '../support/prometheus.js';
import { getContainerRuntimeClient, ImageName, PullPolicy, type ContainerRuntimeClient } from 'testcontainers';

process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
// Ports are published on 127.0.0.1 only (scripts/docker-engine.sh, the CI compose override).
// Left to itself testcontainers may pick the bridge gateway (172.17.0.1) as the host, where
// its HTTP wait strategies then reach a published port only sometimes.
process.env.TESTCONTAINERS_HOST_OVERRIDE = '127.0.0.1';

export const COMPOSE_BIN = join(repoRoot, 'tools/bin/docker-compose');
/** Only images built by scripts/docker-images.sh are used: a missing one is an error, not a pull. */
export const NEVER_PULL = PullPolicy.neverPull();

const HOW = 'start one with `eval "$(sudo bash scripts/docker-engine.sh start)"`, then `bash scripts/docker-images.sh`';

/** The engine client, once every image in `images` is present; throws with what to run otherwise. */
export async function dockerWith(images: string[]): Promise<ContainerRuntimeClient> {
  let client: ContainerRuntimeClient;
  try {
    client = await getContainerRuntimeClient();
  } catch (e) {
    throw new Error(`the container tests need a Docker engine (DOCKER_HOST=${process.env.DOCKER_HOST ?? 'unset'}): ${HOW}`, { cause: e });
  }
  const missing: string[] = [];
  for (const image of images) if (!(await client.image.exists(ImageName.fromString(image)))) missing.push(image);
  if (missing.length > 0) throw new Error(`images missing: ${missing.join(', ')}: ${HOW}`);
  return client;
}

/** Everything a container wrote to stdout and stderr so far. */
export async function containerLogs(client: ContainerRuntimeClient, id: string): Promise<string> {
  const handle = client.container.getById(id);
  return new Promise<string>((resolve, reject) => {
    handle.logs({ stdout: true, stderr: true, follow: false }, (err, data) => (err ? reject(err) : resolve(String(data))));
  });
}
