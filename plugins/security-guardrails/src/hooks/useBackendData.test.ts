import { act, renderHook, waitFor } from '@testing-library/react';
import { isUnreachable, retryDelayMs, useBackendData } from './useBackendData';
import { notFound, unavailable } from '../__testUtils__/errors';

const offline = () => new TypeError('Failed to fetch');

describe('useBackendData', () => {
  afterEach(() => jest.useRealTimers());

  it('tells an unreachable backend from one that answered', async () => {
    expect(isUnreachable(offline())).toBe(true);
    expect(
      isUnreachable(
        new TypeError('NetworkError when attempting to fetch resource.'),
      ),
    ).toBe(true);
    expect(isUnreachable(await unavailable())).toBe(true);
    expect(isUnreachable(await notFound())).toBe(false);
    expect(
      isUnreachable(
        new TypeError("Cannot read properties of undefined (reading 'x')"),
      ),
    ).toBe(false);
    expect([1, 2, 3, 4, 5, 9].map(retryDelayMs)).toEqual([
      2000, 4000, 8000, 16000, 30000, 30000,
    ]);
  });

  it('keeps the last value through an outage, marked stale, and recovers by itself', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    const load = jest
      .fn()
      .mockResolvedValueOnce('first')
      .mockRejectedValueOnce(offline())
      .mockRejectedValueOnce(offline())
      .mockResolvedValue('second');
    const { result } = renderHook(() => useBackendData(load, []));
    await waitFor(() => expect(result.current.value).toBe('first'));
    expect(result.current.stale).toBe(false);

    act(() => result.current.retry());
    await waitFor(() => expect(result.current.error).toBeDefined());
    expect(result.current).toMatchObject({
      value: 'first',
      stale: true,
      unreachable: true,
      loading: false,
    });
    const firstWait = result.current.retryAt! - Date.now();
    expect(firstWait).toBeGreaterThan(1000);
    expect(firstWait).toBeLessThanOrEqual(2000);

    // Asked again by itself after 2 s, then after 4 s; the value stays meanwhile.
    await act(async () => {
      jest.advanceTimersByTime(2000);
    });
    await waitFor(() => expect(load).toHaveBeenCalledTimes(3));
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.value).toBe('first');
    expect(result.current.retryAt! - Date.now()).toBeGreaterThan(3000);
    await act(async () => {
      jest.advanceTimersByTime(4000);
    });
    await waitFor(() => expect(result.current.value).toBe('second'));
    expect(result.current).toMatchObject({
      error: undefined,
      stale: false,
      unreachable: false,
      retryAt: undefined,
    });
  });

  it('asks again at once when the window regains focus', async () => {
    const load = jest
      .fn()
      .mockRejectedValueOnce(offline())
      .mockResolvedValue('back');
    const { result } = renderHook(() => useBackendData(load, []));
    await waitFor(() => expect(result.current.unreachable).toBe(true));
    expect(result.current.value).toBeUndefined();
    act(() => {
      window.dispatchEvent(new Event('focus'));
    });
    await waitFor(() => expect(result.current.value).toBe('back'));
  });

  it('does not retry by itself a backend that answered no', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    const load = jest.fn().mockRejectedValue(await notFound());
    const { result } = renderHook(() => useBackendData(load, []));
    await waitFor(() => expect(result.current.error).toBeDefined());
    expect(result.current.retryAt).toBeUndefined();
    await act(async () => {
      jest.advanceTimersByTime(60_000);
    });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('starts afresh when its inputs change, never showing the previous value', async () => {
    const { result, rerender } = renderHook(
      ({ name }: { name: string }) =>
        useBackendData(async () => `posture of ${name}`, [name]),
      { initialProps: { name: 'a' } },
    );
    await waitFor(() => expect(result.current.value).toBe('posture of a'));
    rerender({ name: 'b' });
    expect(result.current.value).toBeUndefined();
    expect(result.current.loading).toBe(true);
    await waitFor(() => expect(result.current.value).toBe('posture of b'));
  });
});
