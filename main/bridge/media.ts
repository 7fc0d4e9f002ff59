// Local files the page may show, over the bridge: `/media/<kind>/<id>` is translated to the app's own
// `studio-media://<kind>/<id>` and answered by the same handler the Electron protocol uses (database lookup,
// real path inside the data folder, image content types), so both transports share one tested gate.
import { createMediaHandler } from '../engine/media/media-handler.ts';
import { studioMediaLookup } from '../engine/media/media-lookup.ts';
import { MEDIA_SCHEME } from '../../shared/media-url.ts';
import type { Studio } from '../engine/studio.ts';

/** Answers `GET|HEAD /media/<kind>/<id>` (the part after `/media/`); anything malformed is a 404. */
export function createBridgeMedia(
  studio: Studio,
  origin: () => string,
): (rest: string, method: string) => Promise<Response> {
  let handler: ((request: Request) => Promise<Response>) | null = null;
  return (rest, method) => {
    handler ??= createMediaHandler({
      dataDir: studio.dataDir,
      appOrigin: origin(),
      lookup: studioMediaLookup(studio),
      onError: (message, fields) => studio.log.warn(message, fields),
    });
    let request: Request;
    try {
      request = new Request(`${MEDIA_SCHEME}://${rest}`, { method });
    } catch {
      return Promise.resolve(new Response('Not found', { status: 404 }));
    }
    // parseMediaUrl (inside the handler) accepts exactly `<kind>/<id>`: extra segments or dots fail there.
    return handler(request);
  };
}
