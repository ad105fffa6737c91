export interface Config {
  /**
   * The demo's sign-in page: the people a visitor can act as, to show a
   * request and its approval by someone else. Leave unset outside the demo.
   */
  demoSignIn?: {
    /**
     * @visibility frontend
     */
    personas?: Array<{
      /**
       * `guest`: the guest provider (its configured user); `demo`: the demo
       * personas provider, which signs in as `userEntityRef`.
       * @visibility frontend
       */
      provider: 'guest' | 'demo';
      /** @visibility frontend */
      userEntityRef: string;
      /** @visibility frontend */
      title: string;
      /** @visibility frontend */
      description?: string;
    }>;
  };
}
