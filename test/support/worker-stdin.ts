/**
 * Runs before each test file. Jest's ES module loader reads every export of `node:process` when a
 * module imports it (supports-color does, under openapi-typescript), `stdin` included, and so
 * opens the worker's stdin: a pipe that then holds the worker open after its last test, until
 * jest kills it. No test reads stdin, so it is let go of the event loop.
 */
// A file or /dev/null as stdin is no stream of the event loop, and has no unref().
(process.stdin as { unref?: () => void }).unref?.();
