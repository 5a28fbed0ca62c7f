/** Everything the HTTP doors share, built once by `feedproc serve` (or a test) and passed to every route. */
import type { Config } from '../core/config.js';
import type { PipelineDeps } from '../queue/pipeline-deps.js';
import type { AccessKeyStore } from './access-keys.js';
import type { FeedService } from './feed-service.js';
import type { Throttle } from './throttle.js';
import type { DestinationStore } from '../notify/destinations.js';

export interface HttpContext {
  config: Config;
  deps: PipelineDeps;
  keys: AccessKeyStore;
  feeds: FeedService;
  throttle: Throttle;
  /** FEED_PROCESSING_FINISHED destinations (the JSON API's /destinations). */
  destinations: DestinationStore;
  /** Signs session cookies and CSRF tokens (derived from the server key, never the key itself). */
  sessionSecret: Buffer;
}
