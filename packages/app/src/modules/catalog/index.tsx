import {
  createFrontendModule,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import CategoryIcon from '@material-ui/icons/Category';

/**
 * The catalog's index page, replaced (same extension id, page:catalog) by
 * one whose table has a Security grade column: the new frontend system's
 * catalog page takes no extra columns.
 */
const catalogIndexWithGrades = PageBlueprint.make({
  params: {
    path: '/catalog',
    title: 'Catalog',
    icon: <CategoryIcon fontSize="inherit" />,
    routeRef: catalogPlugin.routes.catalogIndex,
    loader: () =>
      import('./SecurityCatalogPage').then(m => <m.SecurityCatalogPage />),
  },
});

export const catalogModule = createFrontendModule({
  pluginId: 'catalog',
  extensions: [catalogIndexWithGrades],
});
