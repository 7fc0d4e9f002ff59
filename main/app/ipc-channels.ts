// The two IPC channels, in a module of their own: the sandboxed preload imports them and may load nothing
// else of the main process.
export const CALL_CHANNEL = 'studio:call';
export const EVENT_CHANNEL = 'studio:event';
