import {
  AnyRouteRefParams,
  RouteFunc,
  RouteRef,
  useRouteRef,
} from '@backstage/core-plugin-api';

/**
 * A link to a route that may not be mounted in this app (e.g. the Security
 * page disabled in the new frontend system, or the catalog's entity page in
 * a custom app): undefined instead of an error, so cards still render.
 */
export function useOptionalRouteRef<T extends AnyRouteRefParams>(
  routeRef: RouteRef<T>,
): RouteFunc<T> | undefined {
  try {
    return useRouteRef(routeRef);
  } catch {
    return undefined;
  }
}
