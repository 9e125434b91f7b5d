// A module-loader hook that reports every file Node loads to the main
// thread, so that a no-op build can later be recognised from file stamps
// alone (generator/cli/noop-cache.ts). Plain JS: loader hooks run in their
// own thread, before tsx could compile anything for them.
let port;

export async function initialize(data) {
  port = data.port;
}

export async function load(url, context, nextLoad) {
  if (url.startsWith("file:")) port.postMessage(url);
  return nextLoad(url, context);
}
