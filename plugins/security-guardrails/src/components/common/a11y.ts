import { makeStyles } from '@material-ui/core';

/**
 * Keyboard and narrow-screen behaviour for the plugin's pages: a visible
 * focus ring on everything one can tab to, wide content (tables, YAML)
 * scrolling inside its card instead of widening the page, and a skip link
 * that only shows when focused.
 */
export const useA11yStyles = makeStyles(theme => ({
  root: {
    minWidth: 0,
    '& a:focus-visible, & button:focus-visible, & [role="button"]:focus-visible, & [tabindex]:focus-visible, & input:focus-visible':
      {
        outline: `2px solid ${theme.palette.primary.main}`,
        outlineOffset: 2,
      },
    '& table': { minWidth: 560 },
    '& pre': { maxWidth: '100%', overflowX: 'auto' },
  },
  scroll: { overflowX: 'auto', maxWidth: '100%' },
  skipLink: {
    position: 'absolute',
    left: -10000,
    top: 'auto',
    width: 1,
    height: 1,
    overflow: 'hidden',
    '&:focus': {
      position: 'static',
      width: 'auto',
      height: 'auto',
      display: 'inline-block',
      padding: theme.spacing(1, 2),
      marginBottom: theme.spacing(1),
      background: theme.palette.background.paper,
      color: theme.palette.primary.main,
    },
  },
}));
