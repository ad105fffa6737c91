import {
  DependencyList,
  useCallback,
  useEffect,
  useRef,
  useState,
} from 'react';
import { isError, ResponseError } from '@backstage/errors';

/**
 * Whether an error means the backend could not be reached (the browser's
 * fetch failed, or a proxy answered 502/503/504) rather than that it
 * answered no: only then is asking again by itself worth it.
 */
export function isUnreachable(error: unknown): boolean {
  if (error instanceof ResponseError) {
    return [502, 503, 504].includes(error.statusCode);
  }
  // Chromium "Failed to fetch", Firefox "NetworkError when attempting to
  // fetch resource.", Safari "Load failed", Node "fetch failed".
  // Told by name, not instanceof: an error may come from another realm.
  return (
    isError(error) &&
    error.name === 'TypeError' &&
    /fetch|network|load failed/i.test(error.message)
  );
}

/** Seconds before the n-th automatic retry (n from 1): 2, 4, 8, 16, then every 30. */
export function retryDelayMs(failures: number): number {
  return Math.min(30, 2 ** Math.max(1, failures)) * 1000;
}

/** What a panel shows of a load: its value (kept through later failures), and how the last try went. */
export interface BackendData<T> {
  value?: T;
  loading: boolean;
  error?: Error;
  /** The value shown is from an earlier load: the latest try failed. */
  stale: boolean;
  /** The last failure was the backend being out of reach; it is asked again by itself. */
  unreachable: boolean;
  /** When the value shown was loaded. */
  loadedAt?: Date;
  /** When the next automatic try runs, while the backend is out of reach. */
  retryAt?: number;
  retry: () => void;
}

interface LoadState<T> {
  source?: () => Promise<T>;
  value?: T;
  error?: Error;
  loading: boolean;
  loadedAt?: Date;
  retryAt?: number;
}

/**
 * Loads what a panel shows, as react-use's useAsyncRetry does, and rides out
 * a backend that goes away: the last value stays (marked stale) while the
 * backend is out of reach, tries again by itself with a growing delay and
 * when the browser comes back online or the window regains focus, and the
 * error clears when a try succeeds. Changing `deps` starts afresh (no value
 * of the previous entity is shown for the next).
 */
export function useBackendData<T>(
  load: () => Promise<T>,
  deps: DependencyList,
): BackendData<T> {
  // The caller's deps decide when `load` is a new source, as with useAsync.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const source = useCallback(load, deps);
  const [state, setState] = useState<LoadState<T>>({ loading: true });
  const [attempt, setAttempt] = useState(0);
  const failures = useRef(0);

  useEffect(() => {
    let current = true;
    setState(s =>
      s.source === source
        ? { ...s, loading: true, retryAt: undefined }
        : { source, loading: true },
    );
    source().then(
      value => {
        if (!current) return;
        failures.current = 0;
        setState({ source, value, loading: false, loadedAt: new Date() });
      },
      error => {
        if (!current) return;
        failures.current += 1;
        setState(s => ({
          ...(s.source === source ? s : { source }),
          error: isError(error) ? (error as Error) : new Error(String(error)),
          loading: false,
          retryAt: isUnreachable(error)
            ? Date.now() + retryDelayMs(failures.current)
            : undefined,
        }));
      },
    );
    return () => {
      current = false;
    };
  }, [source, attempt]);

  useEffect(() => {
    failures.current = 0;
  }, [source]);

  const retry = useCallback(() => setAttempt(n => n + 1), []);

  const { retryAt } = state;
  useEffect(() => {
    if (retryAt === undefined) return undefined;
    const timer = setTimeout(retry, Math.max(0, retryAt - Date.now()));
    const again = () => {
      if (document.visibilityState !== 'hidden') retry();
    };
    window.addEventListener('online', again);
    window.addEventListener('focus', again);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('online', again);
      window.removeEventListener('focus', again);
    };
  }, [retryAt, retry]);

  const own = state.source === source;
  const value = own ? state.value : undefined;
  const error = own ? state.error : undefined;
  return {
    value,
    loading: own ? state.loading : true,
    error,
    stale: Boolean(error) && value !== undefined,
    unreachable: Boolean(error) && isUnreachable(error),
    loadedAt: own ? state.loadedAt : undefined,
    retryAt: own ? retryAt : undefined,
    retry,
  };
}
