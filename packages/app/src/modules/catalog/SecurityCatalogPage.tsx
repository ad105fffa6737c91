import { Content, PageWithHeader } from '@backstage/core-components';
import {
  CatalogFilterLayout,
  DefaultFilters,
  EntityListProvider,
} from '@backstage/plugin-catalog-react';
import { CatalogTable, CatalogTableRow } from '@backstage/plugin-catalog';
import { createSecurityGradeColumn } from '@internal/backstage-plugin-security-guardrails';

const securityGrade = createSecurityGradeColumn<CatalogTableRow>();

/**
 * The catalog's index with a Security column: the catalog's own table,
 * filters and columns, plus each entity's security grade.
 */
export function SecurityCatalogPage() {
  return (
    <PageWithHeader themeId="home" title="Catalog">
      <Content>
        <EntityListProvider pagination>
          <CatalogFilterLayout>
            <CatalogFilterLayout.Filters>
              <DefaultFilters
                initialKind="component"
                initiallySelectedFilter="all"
              />
            </CatalogFilterLayout.Filters>
            <CatalogFilterLayout.Content>
              <CatalogTable
                columns={context => {
                  const columns = CatalogTable.defaultColumnsFunc(context).map(
                    c => ({
                      ...c,
                      cellStyle: { wordBreak: 'normal' as const },
                    }),
                  );
                  // The grade beside the name; words wrap at spaces only (the
                  // filters leave the table little width).
                  const at = columns.findIndex(
                    c => c.field === 'resolved.entityRef',
                  );
                  if (at < 0) return [...columns, securityGrade];
                  return [
                    ...columns.slice(0, at),
                    {
                      ...columns[at],
                      cellStyle: {
                        minWidth: 150,
                        wordBreak: 'normal' as const,
                      },
                    },
                    securityGrade,
                    ...columns.slice(at + 1),
                  ];
                }}
              />
            </CatalogFilterLayout.Content>
          </CatalogFilterLayout>
        </EntityListProvider>
      </Content>
    </PageWithHeader>
  );
}
