/** Thrown when a figure to be stored or shown is ±Infinity or NaN: such a value is never reported. */
export class NonFiniteResultError extends RangeError {
  constructor(what: string) {
    super(`${what} is not a finite number; refusing to report it`);
    this.name = 'NonFiniteResultError';
  }
}
