import { StreamError } from '../../shared/engine/errors/index.js';

/** The page could not be built or served; `code` says which step failed. */
export class ServeError extends StreamError {
  constructor(
    code: 'PAGE_BUILD_FAILED' | 'SERVER_LISTEN_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'ServeError';
  }
}
