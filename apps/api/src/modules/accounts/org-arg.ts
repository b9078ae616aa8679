/** The `org` argument every organization-scoped operation takes. */
export const ORG_ARG = {
  name: 'org',
  type: () => String,
  nullable: true,
  description: 'Organization slug; may be omitted when the caller has one.',
} as const;
