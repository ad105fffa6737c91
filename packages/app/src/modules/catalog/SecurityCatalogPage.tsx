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
                  const [name, ...rest] =
                    CatalogTable.defaultColumnsFunc(context);
                  // The grade beside the name, and names that wrap at spaces
                  // only: the filters leave the table little width.
                  return [
                    {
                      ...name,
                      cellStyle: {
                        minWidth: 160,
                        wordBreak: 'normal' as const,
                      },
                    },
                    securityGrade,
                    ...rest,
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
