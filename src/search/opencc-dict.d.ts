/** opencc-js ships its dictionaries as plain modules without types: "繁 简|繁 简|…". */
declare module 'opencc-js/dict/TSCharacters' {
  const dict: string;
  export default dict;
}
