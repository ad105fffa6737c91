export interface Config {
  /** The portal's permission policy (src/modules/permissionPolicy.ts). */
  permissionPolicy?: {
    /**
     * With auth.environment production: the groups that may use other
     * plugins' permissions other than reads (registering catalog locations,
     * deleting entities). Empty by default.
     */
    adminGroups?: string[];
  };
}
