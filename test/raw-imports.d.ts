/** Vite's ?raw imports: the file's text (the headers matrix reads public/_headers). */
declare module '*?raw' {
  const text: string;
  export default text;
}
