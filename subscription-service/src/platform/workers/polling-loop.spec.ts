import { Logger } from '@nestjs/common';
import { PollingLoop } from './polling-loop';

const silentLogger = (): Logger => ({ error: jest.fn() }) as unknown as Logger;
const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('PollingLoop', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('should tick at start, then once per interval', async () => {
    const tick = jest.fn(() => Promise.resolve(false));
    const loop = new PollingLoop(silentLogger(), 1000, tick);
    loop.start();
    await flush();
    expect(tick).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(999);
    expect(tick).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(tick).toHaveBeenCalledTimes(2);
    await loop.stop();
  });

  it('should run again at once while a tick reports more work', async () => {
    const results = [true, true, false];
    const tick = jest.fn(() => Promise.resolve(results.shift() ?? false));
    const loop = new PollingLoop(silentLogger(), 1000, tick);
    loop.start();
    await flush();
    expect(tick).toHaveBeenCalledTimes(3);
    await loop.stop();
  });

  it('should tick right away when kicked while sleeping, and again after a tick that was kicked meanwhile', async () => {
    let release: () => void = () => undefined;
    const tick = jest.fn(() => Promise.resolve(false));
    const loop = new PollingLoop(silentLogger(), 60_000, tick);
    loop.start();
    await flush();
    expect(tick).toHaveBeenCalledTimes(1);
    loop.kick();
    await flush();
    expect(tick).toHaveBeenCalledTimes(2);

    tick.mockImplementationOnce(() => new Promise<boolean>((resolve) => (release = () => resolve(false))));
    loop.kick();
    await flush();
    expect(tick).toHaveBeenCalledTimes(3); // in flight
    loop.kick(); // new work committed during the tick
    release();
    await flush();
    expect(tick).toHaveBeenCalledTimes(4);
    await loop.stop();
  });

  it('should keep going after a failing tick and log it', async () => {
    const logger = silentLogger();
    const tick = jest.fn().mockRejectedValueOnce(new Error('db down')).mockResolvedValue(false);
    const loop = new PollingLoop(logger, 100, tick);
    loop.start();
    await flush();
    expect(logger.error).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(100);
    expect(tick).toHaveBeenCalledTimes(2);
    await loop.stop();
  });

  it('should wait in stop() for the in-flight tick and not tick afterwards, nor on a kick', async () => {
    let release: () => void = () => undefined;
    let finished = false;
    const tick = jest.fn(
      () =>
        new Promise<boolean>((resolve) => {
          release = () => {
            finished = true;
            resolve(true);
          };
        }),
    );
    const loop = new PollingLoop(silentLogger(), 100, tick);
    loop.start();
    await flush();
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await flush();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(true);
    loop.kick();
    await jest.advanceTimersByTimeAsync(1000);
    expect(tick).toHaveBeenCalledTimes(1);
  });

  it('should do nothing when kicked before it was started', async () => {
    const tick = jest.fn(() => Promise.resolve(false));
    const loop = new PollingLoop(silentLogger(), 100, tick);
    loop.kick();
    await jest.advanceTimersByTimeAsync(1000);
    expect(tick).not.toHaveBeenCalled();
  });
});
