import { Clock } from '../../src/platform/time/clock';

/** A clock the tests set and advance explicitly. */
export class TestClock implements Clock {
  private current: Date;

  constructor(start: Date | string = '2026-03-10T12:00:00.000Z') {
    this.current = new Date(start);
  }

  now(): Date {
    return new Date(this.current.getTime());
  }

  set(to: Date | string): void {
    this.current = new Date(to);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
