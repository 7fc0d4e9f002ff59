/** The page's link to the engine (the bridge's event socket; always open in the app). */
export type ConnectionState = 'connecting' | 'open' | 'closed';
